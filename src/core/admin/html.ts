/** Text made safe for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A tagged template whose interpolations are escaped unless they are already `Html`. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | readonly Html[];

/** Builds HTML with every interpolated value escaped (lists of `Html` are joined as they are). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    if (value instanceof Html) out += value.text;
    else if (Array.isArray(value)) out += (value as readonly Html[]).map((v) => v.text).join('');
    else if (value !== null && value !== undefined) out += escapeHtml(String(value));
    out += strings[index + 1] ?? '';
  });
  return new Html(out);
}

// Contrast: every text colour below is at least 7:1 on its background (WCAG AAA).
const STYLE = `
:root{color-scheme:light;font:16px/1.5 system-ui,sans-serif;color:#111;background:#fff}
body{margin:0}header{background:#1b2a41;color:#fff;padding:.6rem 1.2rem;display:flex;gap:1.5rem;align-items:center}
header a{color:#fff}header form{margin-left:auto}main{padding:1.2rem;max-width:80rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}
label{display:block;font-weight:600;margin-top:.6rem}input,select{font:inherit;padding:.3rem;border:1px solid #555;border-radius:3px}
button{font:inherit;padding:.3rem .8rem;border:1px solid #1b2a41;background:#1b2a41;color:#fff;border-radius:3px;cursor:pointer}
button.secondary{background:#fff;color:#1b2a41}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.error{color:#8b0000;font-weight:600}.notice{background:#fff4d6;border:1px solid #7a5200;padding:.8rem;margin:1rem 0}
code{font-size:1rem;word-break:break-all}.inline{display:inline}.filters{display:flex;gap:1rem;align-items:end}
`;

// Only confirmations and copying: every action is a plain form post that works without it.
const SCRIPT = `
document.addEventListener('submit',function(e){var m=e.target.getAttribute('data-confirm');if(m&&!confirm(m))e.preventDefault();});
document.addEventListener('click',function(e){var b=e.target.closest('[data-copy]');if(!b)return;var t=document.getElementById(b.getAttribute('data-copy'));if(t&&navigator.clipboard){navigator.clipboard.writeText(t.textContent).then(function(){b.textContent='Copied';});}});
`;

/** A whole admin page: one stylesheet and one script, both allowed by the response's nonce. */
export function layout(options: {
  readonly title: string;
  readonly nonce: string;
  readonly nav?: Html;
  readonly body: Html;
}): string {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${options.title} | tessera admin</title><style nonce="${options.nonce}">${new Html(STYLE)}</style></head>
<body><header><strong>tessera admin</strong>${options.nav ?? ''}</header>
<main id="main"><h1>${options.title}</h1>${options.body}</main>
<script nonce="${options.nonce}">${new Html(SCRIPT)}</script></body></html>
`.text;
}
