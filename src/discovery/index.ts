export * from './constants.js';
export { HelloListener, type HelloListenerOptions } from './hello-listener.js';
export { listIpv4Interfaces } from './interfaces.js';
export { buildProbe, filterXaddrs, isOnvifEntry, parseDiscoveryMessage } from './messages.js';
export { expandTargets, formatIpv4 } from './targets.js';
export { type DiscoverOptions, type DiscoverResult, discover } from './ws-discovery.js';
