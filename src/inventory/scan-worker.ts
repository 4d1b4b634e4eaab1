/**
 * Child-process entry of an isolated scan (see isolated-scan.ts). It is the only place where device answers are
 * parsed for the daemon: a device that finds a way to exhaust memory or crash the parser takes this process
 * down, not the agent, and the agent's heap never holds a scan's garbage.
 */
import type { Config } from '../config/schema.js';
import type { ScanResult } from '../model/camera-records.js';
import { CamwardenError, ErrorCode, errorMessage } from '../util/errors.js';
import { createLogger } from '../util/logger.js';
import type { IdentityContext, IdentityOutcome } from './identity-pins.js';
import { runScan } from './scan.js';

export interface ScanRequest {
  type: 'scan';
  config: Config;
  devices: string[];
  announced: string[];
  identity: IdentityContext;
}

export type ScanReply =
  | { type: 'result'; result: ScanResult; identity: IdentityOutcome | undefined }
  | { type: 'failed'; code: string; message: string };

function reply(message: ScanReply): void {
  process.send?.(message, undefined, {}, () => process.exit(0));
}

if (process.send) {
  // The agent went away (stopped or died): a scan nobody waits for is only load on the devices.
  process.once('disconnect', () => process.exit(0));
  process.once('message', (message: ScanRequest) => {
    const logger = createLogger({ level: message.config.logLevel }).child({ component: 'scan-worker' });
    let identity: IdentityOutcome | undefined;
    runScan({
      config: message.config,
      devices: message.devices,
      announced: message.announced,
      identity: message.identity,
      onIdentity: (outcome) => {
        identity = outcome;
      },
      decide: (records) => records,
      logger,
    }).then(
      (result) => reply({ type: 'result', result, identity }),
      (err: unknown) =>
        reply({
          type: 'failed',
          code: err instanceof CamwardenError ? err.code : ErrorCode.Internal,
          message: errorMessage(err),
        }),
    );
  });
}
