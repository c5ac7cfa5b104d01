import { loadConfig, runMigrations } from '@aihub/core';

/** One-shot: applies pending migrations (the compose `migrate` service and `npm start` run it). */
runMigrations(loadConfig().database)
  .then((applied) => {
    console.log(JSON.stringify({ level: 30, msg: 'migrations applied', applied }));
    process.exit(0);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
