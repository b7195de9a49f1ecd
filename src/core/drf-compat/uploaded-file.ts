/**
 * A file part of a multipart body. DRF merges `request.FILES` into `request.data`, so a file
 * takes the place of a text field of the same name; tessera keeps only what describes it.
 */
export class UploadedFile {
  /** The sanitised file name (Django's `UploadedFile.name`, also its `str()`). */
  readonly name: string;
  /** The part's Content-Type, lower-cased, or `''`. */
  readonly contentType: string;
  /** Size in bytes, after any base64 transfer decoding. */
  readonly size: number;

  constructor(name: string, contentType: string, size: number) {
    this.name = name;
    this.contentType = contentType;
    this.size = size;
  }
}
