import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * Modal built on <dialog>: focus trap (the rest of the page is inert) and Escape come from the
 * platform; a backdrop click closes it, and focus goes back to what opened it.
 */
export function Dialog({
  open,
  onClose,
  label,
  children,
}: {
  open: boolean;
  onClose: () => void;
  label: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  // The element focused when the dialog opened; it gets focus back when the dialog closes.
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) dialog.close();
    if (!open && opener.current) {
      // Not when the opener went away with the dialog open (e.g. a deleted list item).
      if (opener.current.isConnected) opener.current.focus();
      opener.current = null;
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-label={label}
      onClose={onClose}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      {open && (
        <div className="dialog-body">
          <button
            type="button"
            className="btn btn-ghost dialog-close"
            onClick={onClose}
            aria-label={t('connect.close')}
          >
            ×
          </button>
          {children}
        </div>
      )}
    </dialog>
  );
}
