// htm bound to preact: html`<p>${text}</p>` makes preact elements, no build step.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
