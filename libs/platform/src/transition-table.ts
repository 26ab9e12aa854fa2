// A life as plain data (STYLE: rules as data): which action moves a thing from which statuses to
// which. Orders, shipments and payouts each declare one; every status change goes through
// `next`, and the table is checked when it is made, so a service with a broken table never starts.

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly subject: string,
    readonly status: string,
    readonly action: string,
    readonly allowedFrom: readonly string[],
  ) {
    super(
      `${/^[aeiou]/.test(subject) ? 'an' : 'a'} ${subject} that is ${status} cannot take '${action}' (allowed from ${allowedFrom.join(', ')})`,
    );
  }
}

export class TransitionTable<S extends string, A extends string> {
  /**
   * @param subject   what lives this life, for messages ("order", "shipment")
   * @param statuses  every status
   * @param initial   the statuses a new one is born in
   * @param final     statuses nothing leaves
   */
  constructor(
    readonly subject: string,
    readonly statuses: readonly S[],
    readonly transitions: { readonly [K in A]: { readonly from: readonly S[]; readonly to: S } },
    readonly initial: readonly S[],
    readonly final: readonly S[],
  ) {
    this.check();
  }

  canTake(status: S, action: A): boolean {
    return this.transitions[action].from.includes(status);
  }

  next(status: S, action: A): S {
    if (!this.canTake(status, action))
      throw new IllegalTransitionError(this.subject, status, action, this.transitions[action].from);
    return this.transitions[action].to;
  }

  /** Only known statuses, nothing leaves a final status, every status can be reached. */
  private check(): void {
    const known = new Set<string>(this.statuses);
    const reachable = new Set<string>(this.initial);
    for (const [action, { from, to }] of Object.entries(this.transitions) as [
      string,
      { from: readonly S[]; to: S },
    ][]) {
      for (const s of [...from, to])
        if (!known.has(s)) throw new Error(`${this.subject} transition ${action} names unknown status ${s}`);
      for (const s of from)
        if (this.final.includes(s)) throw new Error(`${this.subject} transition ${action} leaves final status ${s}`);
      reachable.add(to);
    }
    const unreachable = this.statuses.filter((s) => !reachable.has(s));
    if (unreachable.length) throw new Error(`${this.subject} statuses never reached: ${unreachable.join(', ')}`);
  }
}
