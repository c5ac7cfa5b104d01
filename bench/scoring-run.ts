/**
 * One scoring run in a process of its own (so its peak RSS is its own): the platform's path exactly as the
 * worker takes it (streaming merge join, in-memory fallback), or the in-memory path alone (`memory`).
 *
 * usage: node dist/bench/scoring-run.js <metric> <truth> <predictions> <idColumn> <targetColumn> <stream|memory> [labels,comma,separated]
 * prints one JSON line: {score, seconds, maxRssMb, path}
 */
import { createReadStream } from 'node:fs';
import { scoreFiles } from '../libs/evaluation/src/scoring/score-files';
import { scoreTabularStreaming } from '../libs/evaluation/src/scoring/score-streaming';
import { splitLineBatches } from '../libs/evaluation/src/scoring/lines';
import { splitPartitioner } from '../libs/evaluation/src/services/split';

async function main() {
  const [metric, truthPath, predPath, idColumn, targetColumn, mode, labels] = process.argv.slice(2);
  const split = splitPartitioner('ab'.repeat(32), 0.3);
  // the worker scores public and private; `all` on top is compared with the reference
  const partition = (id: string) => [split(id), 'all'];
  const base = { metric, idColumn, targetColumn, partition };
  const start = process.hrtime.bigint();
  let path = 'memory';
  let result =
    mode === 'stream'
      ? await scoreTabularStreaming({
          ...base,
          truth: splitLineBatches(createReadStream(truthPath)),
          predictions: splitLineBatches(createReadStream(predPath)),
          truthLabels: labels ? labels.split(',') : undefined,
        })
      : null;
  if (result) path = 'stream';
  result ??= await scoreFiles({
    ...base,
    truth: splitLineBatches(createReadStream(truthPath)),
    predictions: splitLineBatches(createReadStream(predPath)),
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(
    JSON.stringify({
      scores: result.scores,
      seconds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      path,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
