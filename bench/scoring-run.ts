/**
 * One scoring run in a process of its own (so its peak RSS is its own): the platform's path exactly as the
 * worker takes it (`stream`: streaming merge join, then the disk join — or the in-memory join for truths of at most
 * IN_MEMORY_MAX_ROWS rows, the worker knows the row count from the upload), or the in-memory path alone (`memory`).
 *
 * usage: node dist/bench/scoring-run.js <metric> <truth> <predictions> <idColumn> <targetColumn> <stream|memory> <labels,comma,separated|-> <truth rows> <temp dir>
 * prints one JSON line: {scores, seconds, cpuSeconds (user + system), maxRssMb, path}
 */
import { createReadStream, statSync } from 'node:fs';
import { scoreFiles } from '../libs/evaluation/src/scoring/score-files';
import { IN_MEMORY_MAX_ROWS, scoreTabularSpilled } from '../libs/evaluation/src/scoring/score-spill';
import { scoreTabularStreaming } from '../libs/evaluation/src/scoring/score-streaming';
import { splitLineBatches } from '../libs/evaluation/src/scoring/lines';
import { splitPartitioner } from '../libs/evaluation/src/services/split';

async function main() {
  const [metric, truthPath, predPath, idColumn, targetColumn, mode, labelList, rows, tempDir] =
    process.argv.slice(2);
  const labels = labelList && labelList !== '-' ? labelList : undefined;
  const truthRows = Number(rows);
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
  const inputs = () => ({
    ...base,
    truth: splitLineBatches(createReadStream(truthPath)),
    predictions: splitLineBatches(createReadStream(predPath)),
  });
  if (!result && mode === 'stream' && truthRows > IN_MEMORY_MAX_ROWS) {
    path = 'disk join';
    result = await scoreTabularSpilled({
      ...inputs(),
      tempDir,
      partitionRows: IN_MEMORY_MAX_ROWS,
      expectedRows: truthRows,
      expectedBytes: statSync(truthPath).size,
    });
  }
  result ??= await scoreFiles(inputs());
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(
    JSON.stringify({
      scores: result.scores,
      seconds,
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      path,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
