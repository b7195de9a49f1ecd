/** A form field, in order; the same name may repeat (DRF reads the last). */
export type FormField = readonly [name: string, value: string];

/** `multipart/form-data` with a fixed boundary, as a browser would send it. */
export function multipartBody(fields: readonly FormField[]): { boundary: string; body: string } {
  const boundary = 'parity-boundary-7MA4YWxkTrZu0gW';
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return { boundary, body: `${parts.join('')}--${boundary}--\r\n` };
}
