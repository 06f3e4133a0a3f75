/**
 * A system deployed with its clients connected and proven to deliver: what the message workloads
 * (fan-out, max, rooms) run on. By default --clients clients go round-robin over the replicas (or
 * to nginx), all in the one chat; a workload may lay them out otherwise (rooms.ts).
 */
import type { DialectName } from '../loadgen/dialects.ts';
import type { ClientSpec } from '../loadgen/messages.ts';
import type { SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';
import { type Deployment, deploy } from './deploy.ts';
import { settle } from './measure.ts';

/** Who connects, and how. */
export interface ClientLayout {
  dialect: DialectName;
  /** In the order the load generator numbers them: its runs send from the first clients. */
  targets: ClientSpec[];
  /** Senders of the settle round: between them, the first this many clients reach every client. */
  settleSenders: number;
}

/** The default: every client in one chat, dealt round-robin over the replicas. */
function everyone(ctx: BenchContext, deployment: Deployment): ClientLayout {
  const { clients, senders } = ctx.options;
  return {
    dialect: deployment.system.dialect,
    targets: Array.from({ length: clients }, (_, i) => deployment.target(i)),
    settleSenders: Math.min(senders, clients),
  };
}

export interface SessionOptions {
  /** Where the first replica of a Node system writes its CPU profile (when it stops). */
  cpuProfileDir?: string;
  /** How the clients are laid out; default: everyone in the one chat. */
  layout?: (deployment: Deployment) => ClientLayout;
}

/**
 * Deploys `system`, connects and settles its clients, hands the deployment to `use`, and then
 * stops it all, whether `use` returned or threw.
 */
export async function withSession<T>(
  ctx: BenchContext,
  system: SystemUnderTest,
  options: SessionOptions,
  use: (deployment: Deployment) => Promise<T>,
): Promise<T> {
  const deployment = await openSession(ctx, system, options);
  try {
    return await use(deployment);
  } finally {
    await closeSession(ctx, deployment);
  }
}

async function openSession(ctx: BenchContext, system: SystemUnderTest, options: SessionOptions): Promise<Deployment> {
  const deployment = await deploy(ctx, system, { cpuProfileDir: options.cpuProfileDir });
  try {
    const layout = (options.layout ?? ((d) => everyone(ctx, d)))(deployment);
    const opened = await ctx.gen.open(layout.dialect, layout.targets);
    if (opened.failed > 0) {
      throw new Error(
        `${system.name}: ${opened.failed} of ${layout.targets.length} clients failed to connect: ${JSON.stringify(opened.errors)}`,
      );
    }
    await settle(ctx, deployment, layout.settleSenders);
    return deployment;
  } catch (error) {
    await closeSession(ctx, deployment);
    throw error;
  }
}

async function closeSession(ctx: BenchContext, deployment: Deployment): Promise<void> {
  await ctx.gen.closeClients();
  await deployment.stop();
}
