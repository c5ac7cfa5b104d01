/**
 * A minimal streaming JSON scanner that hands out the elements of selected arrays one at a time, so a large COCO
 * file never becomes one giant object graph: for a top-level array, its elements (key `''`); for a top-level
 * object, the elements of the arrays under `keys`. Everything else is scanned for structure and skipped. Elements
 * are parsed with `JSON.parse` (its errors carry through); structural errors raise `JsonStreamError`.
 */

export class JsonStreamError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export interface JsonElement {
  /** `''` for elements of a top-level array, else the top-level key of the array. */
  key: string;
  /** The element's text (parse it with JSON.parse). */
  text: string;
  /** 1-based line where the element starts. */
  line: number;
}

const WS = new Set([' ', '\t', '\n', '\r']);

export class JsonArrayStreamer {
  /** '[' or '{' of the top-level value once seen. */
  topLevel: '[' | '{' | undefined;
  /** Top-level keys seen (objects only). */
  readonly seenKeys = new Set<string>();
  private readonly stack: string[] = [];
  private inString = false;
  private escaped = false;
  private line = 1;
  private done = false;
  // top-level object: key tracking
  private expectingKey = false;
  private keyText: string | null = null;
  private keyFrom = 0;
  private currentKey: string | undefined;
  // the array whose elements are handed out: its depth (stack length inside it) and key
  private targetDepth = -1;
  private targetKey = '';
  // the element being captured
  private capture: string[] | null = null;
  private captureFrom = 0;
  private captureLine = 0;

  constructor(
    private readonly keys: ReadonlySet<string>,
    private readonly onElement: (element: JsonElement) => void,
  ) {}

  private finishElement(text: string, upTo: number): void {
    const parts = this.capture as string[];
    parts.push(text.slice(this.captureFrom, upTo));
    this.onElement({ key: this.targetKey, text: parts.join(''), line: this.captureLine });
    this.capture = null;
  }

  private startElement(at: number): void {
    this.capture = [];
    this.captureFrom = at;
    this.captureLine = this.line;
  }

  /** Feeds the next piece of text (any split). */
  feed(text: string): void {
    const inTarget = () => this.targetDepth >= 0 && this.stack.length === this.targetDepth;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') this.line++;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') {
          this.inString = false;
          if (this.keyText !== null) {
            this.keyText += text.slice(this.keyFrom, i + 1);
            this.closeKey();
          }
        }
        continue;
      }
      if (WS.has(c)) continue;
      if (this.done)
        throw new JsonStreamError(
          `unexpected ${JSON.stringify(c)} after the end of the JSON value`,
          this.line,
        );
      if (inTarget() && this.capture === null && c !== ']' && c !== ',') this.startElement(i);
      switch (c) {
        case '"':
          this.inString = true;
          if (this.stack.length === 1 && this.topLevel === '{' && this.expectingKey) {
            this.keyText = '';
            this.keyFrom = i;
          }
          break;
        case '{':
        case '[': {
          if (this.stack.length === 0) {
            this.topLevel = c;
            if (c === '[') {
              this.targetDepth = 1;
              this.targetKey = '';
            } else {
              this.expectingKey = true;
            }
          } else if (
            c === '[' &&
            this.stack.length === 1 &&
            this.topLevel === '{' &&
            this.currentKey !== undefined &&
            this.keys.has(this.currentKey)
          ) {
            this.targetDepth = 2;
            this.targetKey = this.currentKey;
          }
          this.stack.push(c);
          break;
        }
        case '}':
        case ']': {
          const open = this.stack.pop();
          if (open === undefined || (open === '{') !== (c === '}')) {
            throw new JsonStreamError(`unexpected ${JSON.stringify(c)}`, this.line);
          }
          if (this.capture !== null && this.stack.length === this.targetDepth - 1)
            this.finishElement(text, i);
          if (this.stack.length === this.targetDepth - 1 && open === '[') this.targetDepth = -1;
          if (this.stack.length === 0) this.done = true;
          break;
        }
        case ',':
          if (this.capture !== null && inTarget()) this.finishElement(text, i);
          if (this.stack.length === 1 && this.topLevel === '{') {
            this.expectingKey = true;
            this.currentKey = undefined;
          }
          break;
        case ':':
          break;
        default:
          if (this.stack.length === 0) {
            throw new JsonStreamError('the file must hold a JSON object or array', this.line);
          }
      }
    }
    if (this.capture !== null) {
      this.capture.push(text.slice(this.captureFrom));
      this.captureFrom = 0;
    }
    if (this.keyText !== null) {
      this.keyText += text.slice(this.keyFrom);
      this.keyFrom = 0;
    }
  }

  private closeKey(): void {
    const raw = this.keyText as string;
    this.keyText = null;
    this.expectingKey = false;
    try {
      this.currentKey = JSON.parse(raw) as string;
    } catch {
      throw new JsonStreamError(`invalid key ${raw}`, this.line);
    }
    this.seenKeys.add(this.currentKey);
  }

  /** Call after the last piece: fails on an unfinished value. */
  end(): void {
    if (!this.done) {
      throw new JsonStreamError(
        this.topLevel === undefined ? 'the file holds no JSON value' : 'the JSON ends before it is complete',
        this.line,
      );
    }
  }
}
