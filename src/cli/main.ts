// Entry point of the `forkcast` command.
import { main } from './program.js';

process.exitCode = await main(process.argv);
