/** A setting's value cannot be used, or a setting was given where it is not read. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}
