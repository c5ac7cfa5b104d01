import { runMaterializeBench } from './materialize';

runMaterializeBench().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
