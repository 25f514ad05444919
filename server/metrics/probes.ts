import { EventEmitter } from 'node:events';

/**
 * Timings taken deep in shared SQL helpers, which have no app at hand. Every app's metrics registry
 * listens (and stops listening when the app closes), so several apps in one process each count them.
 */
export const probes = new EventEmitter<{ 'event-append': [seconds: number, events: number] }>();
probes.setMaxListeners(100);
