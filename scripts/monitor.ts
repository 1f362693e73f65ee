/**
 * `npm run monitor`: find SMS-pumping / toll-fraud actors in tenant logs, report them, and
 * optionally block them and alert. See docs/monitor.md and `npm run monitor -- --help`.
 */
import { main } from './monitor/cli';

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    },
  );
}
