#!/usr/bin/env node
import { CliContext } from './context.js';
import { FAILURE_EXIT_CODE, parsingExitStatus } from './exit-status.js';
import { buildProgram } from './program.js';
import { describeFailure } from './run-action.js';

const context = new CliContext();
try {
  await buildProgram(context).parseAsync(process.argv);
} catch (error) {
  const status = parsingExitStatus(error);
  // Commands catch their own failures (runAction); anything else still gets one line.
  if (status === undefined) context.printError(describeFailure(error));
  process.exitCode = status ?? FAILURE_EXIT_CODE;
}
