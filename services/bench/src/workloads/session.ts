/**
 * A system deployed with its clients connected and proven to deliver: what the message workloads
 * (fan-out, max) run on. Clients go round-robin over the replicas (or to nginx).
 */
import type { SystemUnderTest } from '../systems/system.ts';
import type { BenchContext } from './context.ts';
import { type Deployment, deploy } from './deploy.ts';
import { settle } from './measure.ts';

export async function openSession(
  ctx: BenchContext,
  system: SystemUnderTest,
  options: { cpuProfileDir?: string } = {},
): Promise<Deployment> {
  const deployment = await deploy(ctx, system, { cpuProfileDir: options.cpuProfileDir });
  try {
    const targets = Array.from({ length: ctx.options.clients }, (_, i) => deployment.target(i));
    const opened = await ctx.gen.open(system.dialect, targets);
    if (opened.failed > 0) {
      throw new Error(
        `${system.name}: ${opened.failed} of ${targets.length} clients failed to connect: ${JSON.stringify(opened.errors)}`,
      );
    }
    await settle(ctx, deployment);
    return deployment;
  } catch (error) {
    await closeSession(ctx, deployment);
    throw error;
  }
}

export async function closeSession(ctx: BenchContext, deployment: Deployment): Promise<void> {
  await ctx.gen.closeClients();
  await deployment.stop();
}
