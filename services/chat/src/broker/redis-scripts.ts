/**
 * The Redis Lua scripts (services/chat/lua/*.lua, kept as real files) as typed calls. ioredis runs
 * each with EVALSHA and loads it on the first NOSCRIPT, after every reconnect included.
 */
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

const SCRIPTS = {
  chatAppend: 'append.lua',
  chatHistory: 'history.lua',
  chatPresenceAdd: 'presence-add.lua',
  chatPresenceRefresh: 'presence-refresh.lua',
  chatPresenceRemove: 'presence-remove.lua',
  chatPresenceMembers: 'presence-members.lua',
  chatPresenceReap: 'presence-reap.lua',
} as const;

export type ScriptName = keyof typeof SCRIPTS;
type ScriptCall = (...args: (string | number | Buffer)[]) => Promise<unknown>;
/** Runs one of the scripts: its keys first, then its arguments, as the .lua file documents. */
export type ScriptCaller = (name: ScriptName, ...args: (string | number | Buffer)[]) => Promise<unknown>;

// The same relative path from src/broker/ and from dist/broker/ in the image.
const LUA_DIR = new URL('../../lua/', import.meta.url);
const sources = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, file]) => [name, readFileSync(new URL(file, LUA_DIR), 'utf8')]),
) as Record<ScriptName, string>;

/** Registers every script on `connection` and returns a caller for them. */
export function defineScripts(
  connection: Redis,
): (name: ScriptName, ...args: (string | number | Buffer)[]) => Promise<unknown> {
  for (const name of Object.keys(SCRIPTS) as ScriptName[]) {
    // Every script but history takes two keys (presence: expiry set and data); those take one.
    const numberOfKeys = name === 'chatAppend' || name === 'chatHistory' ? 1 : 2;
    connection.defineCommand(name, { numberOfKeys, lua: sources[name] });
  }
  const commands = connection as unknown as Record<ScriptName, ScriptCall>;
  return (name, ...args) => commands[name].apply(connection, args);
}
