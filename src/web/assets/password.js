/* global document */
// "Показать пароль" (ASVS V2.1.12): a button beside a password field shows the
// typed password until pressed again. A static asset, because the CSP allows
// no inline script (script-src 'self'). Without script the button stays hidden
// and the field works as a plain password field; paste and password managers
// are never blocked (V2.1.11).
for (const button of document.querySelectorAll('button[data-reveal]')) {
  const input = document.getElementById(button.getAttribute('aria-controls'));
  if (!input) continue;
  button.hidden = false;
  button.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(show));
    input.focus();
  });
}
// The typed password is never left readable in a field the form submits as
// text: before sending, every revealed field is masked again (some browsers
// offer to remember values of text fields).
for (const form of document.querySelectorAll('form')) {
  form.addEventListener('submit', () => {
    for (const button of form.querySelectorAll('button[data-reveal][aria-pressed="true"]')) {
      const input = document.getElementById(button.getAttribute('aria-controls'));
      if (input) input.type = 'password';
      button.setAttribute('aria-pressed', 'false');
    }
  });
}
