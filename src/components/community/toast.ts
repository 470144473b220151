// Toasts for every island: one polite live region at the bottom of the page, messages fade after a while.
// Plain DOM (no React context), so islands hydrated separately share it.

export type ToastKind = 'info' | 'success' | 'error';

function region(): HTMLElement {
  let element = document.getElementById('toasts');
  if (!element) {
    element = document.createElement('div');
    element.id = 'toasts';
    element.className = 'toasts';
    element.setAttribute('role', 'status');
    element.setAttribute('aria-live', 'polite');
    document.body.append(element);
  }
  return element;
}

export function toast(message: string, kind: ToastKind = 'info', ms = 3500): void {
  const item = document.createElement('div');
  item.className = `toast toast--${kind}`;
  item.textContent = message;
  region().append(item);
  setTimeout(() => {
    item.classList.add('toast--leaving');
    setTimeout(() => item.remove(), 300);
  }, ms);
}
