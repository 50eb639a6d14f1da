// Keeps, for one cloud payload, which placeholder stands for which secret. The originals never
// leave this object: the payload carries only placeholders, and `restore` puts the originals back
// into the model's reply locally, so code applied to the file is right.

const PREFIX = 'TANDEM_REDACTED_';
// A digit right after the number would make a different placeholder (…_1 vs …_12).
const PLACEHOLDER = /TANDEM_REDACTED_(\d+)(?!\d)/g;

export class PlaceholderVault {
  private readonly byValue = new Map<string, string>();
  private readonly byPlaceholder = new Map<string, string>();
  private readonly reserved = new Set<string>();
  private next = 1;

  /**
   * `texts`: everything the payload will contain. A placeholder that already occurs there (code
   * about this very feature, say) is never handed out, so `restore` cannot touch it.
   */
  constructor(texts: readonly string[] = []) {
    for (const t of texts) for (const m of t.matchAll(PLACEHOLDER)) this.reserved.add(m[0]);
  }

  /** The same value always gets the same placeholder within one vault. */
  placeholderFor(value: string): string {
    const known = this.byValue.get(value);
    if (known) return known;
    let placeholder: string;
    do placeholder = `${PREFIX}${this.next++}`;
    while (this.reserved.has(placeholder));
    this.byValue.set(value, placeholder);
    this.byPlaceholder.set(placeholder, value);
    return placeholder;
  }

  /** Secret values held (for the second pass that catches repeats the detectors missed). */
  values(): string[] {
    return [...this.byValue.keys()];
  }

  get size(): number {
    return this.byValue.size;
  }

  /** Replaces every placeholder this vault handed out with its original; others stay as they are. */
  restore(reply: string): string {
    return reply.replace(PLACEHOLDER, (p) => this.byPlaceholder.get(p) ?? p);
  }
}
