/** DRF's `ImproperlyConfigured` for throttles: a missing scope or rate, or a rate it cannot read. */
export class ImproperlyConfigured extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImproperlyConfigured';
  }
}
