/* global document */
// The new-proceeding form: debtor and creditor are each an individual, an
// individual entrepreneur or a legal entity. Without script every group of
// fields is shown and the server reads the group of the chosen kind; with it,
// the groups that do not fit the chosen kind are hidden and disabled (not sent).
// A static asset, because the CSP allows no inline script (script-src 'self').
for (const block of document.querySelectorAll('[data-person]')) {
  const who = block.getAttribute('data-person');
  const apply = () => {
    const chosen = block.querySelector(`input[name="${who}Type"]:checked`);
    const kind = chosen ? chosen.value : 'individual';
    for (const group of block.querySelectorAll('fieldset[data-for]')) {
      const on = group.getAttribute('data-for').split(' ').includes(kind);
      group.hidden = !on;
      group.disabled = !on;
    }
  };
  block.addEventListener('change', (e) => {
    if (e.target && e.target.name === `${who}Type`) apply();
  });
  apply();
}
