// What the emulator's two services need from the handler around them, in a module of its own so neither
// service imports the other for it.

/** What a service needs from the emulator around it. */
export interface ServiceHooks {
  now(): number;
  /** Moves every job along to the present. */
  advance(): Promise<void>;
  /** Something changed: persist it. */
  changed(): void;
}
