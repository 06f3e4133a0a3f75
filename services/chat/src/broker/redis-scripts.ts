/**
 * The Redis Lua scripts (services/chat/lua/*.lua, kept as real files) as typed calls. ioredis runs
 * each with EVALSHA and loads it on the first NOSCRIPT, after every reconnect included.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** Each script's file and how many of its arguments are keys (the .lua files document them). */
const SCRIPTS = {
  chatAppend: { file: 'append.lua', keys: 1 },
  chatHistory: { file: 'history.lua', keys: 1 },
  // Presence scripts take the room's expiry set and its member data.
  chatPresenceAdd: { file: 'presence-add.lua', keys: 2 },
  chatPresenceRefresh: { file: 'presence-refresh.lua', keys: 2 },
  chatPresenceRemove: { file: 'presence-remove.lua', keys: 2 },
  chatPresenceMembers: { file: 'presence-members.lua', keys: 2 },
  chatPresenceReap: { file: 'presence-reap.lua', keys: 2 },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptArg = string | number | Buffer;
/** Runs one of the scripts: its keys first, then its arguments, as the .lua file documents. */
export type ScriptCaller = (name: ScriptName, ...args: ScriptArg[]) => Promise<unknown>;

// The same relative path from src/broker/ and from dist/broker/ in the image.
const LUA_DIR = new URL('../../lua/', import.meta.url);
const sources = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, { file }]) => [name, readFileSync(new URL(file, LUA_DIR), 'utf8')]),
) as Record<ScriptName, string>;

/** Registers every script on `connection` and returns a caller for them. */
export function defineScripts(connection: Redis): ScriptCaller {
  for (const [name, { keys }] of Object.entries(SCRIPTS)) {
    connection.defineCommand(name, { numberOfKeys: keys, lua: sources[name as ScriptName] });
  }
  const commands = connection as unknown as Record<ScriptName, (...args: ScriptArg[]) => Promise<unknown>>;
  return (name, ...args) => commands[name].apply(connection, args);
}
