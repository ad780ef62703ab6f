/// <reference lib="dom" />
import { LitElement } from 'lit';

/**
 * Components render into the light DOM so one stylesheet (and uPlot's) styles everything and the
 * page stays plain HTML for tests and assistive technology. State lives in ordinary fields;
 * `update()` asks lit to re-render after a change.
 */
export class Page extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected refresh(): void {
    this.requestUpdate();
  }
}
