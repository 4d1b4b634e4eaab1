import type { AgentModule } from '../model/agent-module.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import type { Logger } from '../util/logger.js';

/**
 * Starts modules in order and stops them in reverse, so reporting (started first) is the last to go and can
 * still flush what the other modules emitted while stopping.
 */
export class Controller {
  private readonly started: AgentModule[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly modules: readonly AgentModule[],
    private readonly logger: Logger,
    private readonly stopTimeoutMs = 15_000,
  ) {}

  async start(): Promise<void> {
    for (const module of this.modules) {
      this.logger.debug({ module: module.name }, 'starting module');
      await module.start();
      this.started.push(module);
    }
    this.logger.info({ modules: this.modules.map((m) => m.name) }, 'camwarden started');
  }

  /** Idempotent: a second signal waits for the first shutdown instead of starting another. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  health(): Record<string, Record<string, number | string | boolean>> {
    const out: Record<string, Record<string, number | string | boolean>> = {};
    for (const module of this.started) {
      if (module.health) out[module.name] = module.health();
    }
    return out;
  }

  private async stopAll(): Promise<void> {
    while (this.started.length > 0) {
      const module = this.started.pop();
      if (!module) break;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          module.stop(),
          new Promise<void>((_, reject) => {
            timer = setTimeout(
              () => reject(new CamwardenError(ErrorCode.Timeout, `stop timed out after ${this.stopTimeoutMs} ms`)),
              this.stopTimeoutMs,
            );
          }),
        ]);
      } catch (err) {
        this.logger.error({ module: module.name, err: errorMessage(err) }, 'module did not stop cleanly');
      } finally {
        if (timer) clearTimeout(timer);
      }
    }
    this.logger.info('camwarden stopped');
  }
}
