/** Every system the benchmark knows, in the order results are shown. */
import { articleGo } from './article-go.ts';
import { chat, chatAlt } from './chat.ts';
import { articleNode, floor, floorWs, socketIo } from './node-peers.ts';
import type { SystemName, SystemUnderTest } from './system.ts';

const SYSTEMS: readonly SystemUnderTest[] = [chat, chatAlt, articleNode, socketIo, articleGo, floor, floorWs];

export const SYSTEM_NAMES = SYSTEMS.map((s) => s.name) as readonly SystemName[];

/** What runs when --systems is not given: the chat, its peers and the floor (floor-ws is an experiment, chat-alt an A/B). */
export const DEFAULT_SYSTEMS: readonly SystemName[] = ['chat', 'article-node', 'socketio', 'article-go', 'floor'];

export function systemByName(name: string): SystemUnderTest | undefined {
  return SYSTEMS.find((s) => s.name === name);
}
