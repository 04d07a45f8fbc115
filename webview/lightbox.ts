/** Click-to-enlarge: one image at full size over the view; click, Escape or ←/→ inside it. */
import { clear, h } from './elements';

export interface LightboxImage {
  src: string;
  path: string;
  caption: string;
}

export class Lightbox {
  readonly el = h('div', { class: 'lightbox', hidden: true, tabindex: -1, role: 'dialog', 'aria-modal': 'true' });
  private images: LightboxImage[] = [];
  private i = 0;

  constructor(private readonly onClose: () => void) {
    this.el.addEventListener('click', () => this.close());
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
      else if (e.key === 'ArrowRight') this.step(1);
      else if (e.key === 'ArrowLeft') this.step(-1);
      else return;
      e.preventDefault();
      e.stopPropagation();
    });
  }

  get open(): boolean {
    return !this.el.hidden;
  }

  show(images: LightboxImage[], i: number): void {
    if (!images.length) return;
    this.images = images;
    this.i = Math.max(0, Math.min(i, images.length - 1));
    this.render();
    this.el.hidden = false;
    this.el.focus();
  }

  step(d: number): void {
    this.i = (this.i + d + this.images.length) % this.images.length;
    this.render();
  }

  close(): void {
    if (this.el.hidden) return;
    this.el.hidden = true;
    clear(this.el);
    this.onClose();
  }

  private render(): void {
    clear(this.el);
    const img = this.images[this.i];
    this.el.append(
      h('img', { src: img.src, alt: img.path }),
      h('div', { class: 'lightbox-caption' }, `${img.caption} — ${img.path}  (click or Escape to close)`),
    );
  }
}
