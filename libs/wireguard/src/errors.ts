/** Invalid input to a pure WireGuard function; `field` names the input and `message` says what to fix. */
export class WireguardInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'WireguardInputError';
  }
}
