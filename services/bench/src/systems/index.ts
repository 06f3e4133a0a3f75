/** Every system the benchmark knows, in the order results are shown. */
import { articleGo } from './article-go.ts';
import { chat } from './chat.ts';
import { articleNode, floor, socketIo } from './node-peers.ts';
import type { SystemName, SystemUnderTest } from './system.ts';

export const SYSTEMS: readonly SystemUnderTest[] = [chat, articleNode, socketIo, articleGo, floor];

export const SYSTEM_NAMES = SYSTEMS.map((s) => s.name) as readonly SystemName[];

export function systemByName(name: string): SystemUnderTest | undefined {
  return SYSTEMS.find((s) => s.name === name);
}
