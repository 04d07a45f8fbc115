/** The builder commands (factories listed in ../commands.ts): Merge2Compare and Teach2Compare with progress and cancel. */
import type { CommandFactory } from '../commands';
import { buildMerge2Compare, buildTeach2Compare, type BuildCommandArgs } from './buildCommands';

export const merge2Compare: CommandFactory = (ctx) => (arg?: unknown, args?: BuildCommandArgs) => buildMerge2Compare(ctx.extension, ctx.log, arg, args);
export const teach2Compare: CommandFactory = (ctx) => (arg?: unknown, args?: BuildCommandArgs) => buildTeach2Compare(ctx.extension, ctx.log, arg, args);
