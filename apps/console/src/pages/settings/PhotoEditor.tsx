/** Crop an uploaded image to a square on a canvas (drag to pan, slider to zoom). */
import { useEffect, useRef, useState } from 'preact/hooks';
import { clampCrop, sourceRect, type CropState } from '../../lib/crop.ts';
import { Button } from '../../ui/Button.tsx';
import { Modal } from '../../ui/Modal.tsx';
import { fire } from '../../ui/fire.ts';

const VIEW = 280;
export const OUTPUT_SIZE = 512;

export function PhotoCropper({
  image,
  onCancel,
  onDone,
}: {
  image: HTMLImageElement;
  onCancel: () => void;
  onDone: (blob: Blob) => Promise<void>;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [crop, setCrop] = useState<CropState>({ zoom: 1, x: 0, y: 0 });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const drag = useRef<{ px: number; py: number; x: number; y: number } | null>(null);
  const w = image.naturalWidth;
  const h = image.naturalHeight;
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = VIEW * dpr;
    c.height = VIEW * dpr;
    const r = sourceRect(w, h, VIEW, crop);
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.drawImage(image, r.sx, r.sy, r.size, r.size, 0, 0, c.width, c.height);
  }, [crop, image]);
  const set = (s: CropState) => setCrop(clampCrop(w, h, VIEW, s));
  return (
    <Modal
      title="Crop your photo"
      onClose={onCancel}
      footer={
        <>
          <Button onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button
            variant="primary"
            busy={busy}
            onClick={fire(async () => {
              setBusy(true);
              setError(null);
              try {
                const out = document.createElement('canvas');
                out.width = OUTPUT_SIZE;
                out.height = OUTPUT_SIZE;
                const ctx = out.getContext('2d');
                if (!ctx) throw new Error('Canvas is not available.');
                const r = sourceRect(w, h, VIEW, crop);
                ctx.imageSmoothingQuality = 'high';
                ctx.drawImage(image, r.sx, r.sy, r.size, r.size, 0, 0, OUTPUT_SIZE, OUTPUT_SIZE);
                const blob = await new Promise<Blob | null>((res) =>
                  out.toBlob(res, 'image/jpeg', 0.9),
                );
                if (!blob) throw new Error('The image could not be encoded.');
                await onDone(blob);
              } catch (err) {
                setError(err instanceof Error ? err.message : 'Upload failed.');
                setBusy(false);
              }
            })}
          >
            Save photo
          </Button>
        </>
      }
    >
      <div class="stack-s" style={{ alignItems: 'center' }}>
        <div
          class="cropper"
          style={{ width: `${VIEW}px`, height: `${VIEW}px` }}
          onPointerDown={(e) => {
            (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
            drag.current = { px: e.clientX, py: e.clientY, x: crop.x, y: crop.y };
          }}
          onPointerMove={(e) => {
            const d = drag.current;
            if (d) set({ zoom: crop.zoom, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py });
          }}
          onPointerUp={() => (drag.current = null)}
          onWheel={(e) => {
            e.preventDefault();
            set({ ...crop, zoom: crop.zoom * (e.deltaY < 0 ? 1.08 : 1 / 1.08) });
          }}
        >
          <canvas ref={canvas} aria-label="Photo preview; drag to move" role="img" />
        </div>
        <label class="field" style={{ width: `${VIEW}px` }}>
          <span class="field-label">Zoom</span>
          <input
            type="range"
            min="1"
            max="4"
            step="0.01"
            value={crop.zoom}
            onInput={(e) => set({ ...crop, zoom: Number(e.currentTarget.value) })}
            style={{ accentColor: 'var(--accent)' }}
          />
        </label>
        <p class="small muted">Drag to position. The circle shows what visitors see.</p>
        {error ? (
          <div class="form-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
    </Modal>
  );
}

/** Reads an image file; rejects with a message for the user. */
export function loadImage(file: File): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    if (!file.type.startsWith('image/')) {
      reject(new Error('Choose an image file (PNG, JPEG or WebP).'));
      return;
    }
    if (file.size > 20 * 1024 * 1024) {
      reject(new Error('That image is larger than 20 MB.'));
      return;
    }
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve(img);
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('That file could not be read as an image.'));
    };
    img.src = url;
  });
}
