/**
 * An editing session: the current document plus undo/redo. An edit records the text before it (one
 * serialization per user action, never per node); a move records only the old positions.
 */
import { EditResult, IPosition, PipelineDocument } from './document';

type Entry =
  | { kind: 'text'; label: string; text: string }
  | { kind: 'move'; label: string; positions: Map<string, IPosition> };

export const HISTORY_LIMIT = 100;

export class PipelineSession {
  private undoStack: Entry[] = [];
  private redoStack: Entry[] = [];
  /** Bumped on every change, so views know when to redraw and the widget when to save. */
  revision = 0;

  constructor(public doc: PipelineDocument) {}

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  private push(stack: Entry[], e: Entry): void {
    stack.push(e);
    if (stack.length > HISTORY_LIMIT) {
      stack.shift();
    }
  }

  /** Run an edit on the document; it can be undone (a refused edit changed nothing and is not recorded). */
  edit<T>(label: string, fn: (doc: PipelineDocument) => EditResult<T>): EditResult<T> {
    const text = this.doc.serialize();
    const result = fn(this.doc);
    if (!result.ok) {
      return result;
    }
    this.push(this.undoStack, { kind: 'text', label, text });
    this.redoStack = [];
    this.revision++;
    return result;
  }

  move(positions: Map<string, IPosition>): void {
    const before = new Map<string, IPosition>();
    for (const id of positions.keys()) {
      const p = this.doc.positions.get(id);
      if (p) {
        before.set(id, { ...p });
      }
    }
    this.doc.setPositions(positions);
    this.push(this.undoStack, { kind: 'move', label: 'Move', positions: before });
    this.redoStack = [];
    this.revision++;
  }

  private apply(e: Entry, other: Entry[]): void {
    if (e.kind === 'text') {
      this.push(other, { kind: 'text', label: e.label, text: this.doc.serialize() });
      const parsed = PipelineDocument.parse(e.text);
      if (parsed.ok) {
        this.doc = parsed.document;
      }
    } else {
      const current = new Map<string, IPosition>();
      for (const id of e.positions.keys()) {
        const p = this.doc.positions.get(id);
        if (p) {
          current.set(id, { ...p });
        }
      }
      this.push(other, { kind: 'move', label: e.label, positions: current });
      this.doc.setPositions(e.positions);
    }
    this.revision++;
  }

  undo(): boolean {
    const e = this.undoStack.pop();
    if (!e) {
      return false;
    }
    this.apply(e, this.redoStack);
    return true;
  }

  redo(): boolean {
    const e = this.redoStack.pop();
    if (!e) {
      return false;
    }
    this.apply(e, this.undoStack);
    return true;
  }
}
