// "Copy link" buttons (a Streamlit component, st.components.v2, mounted by pages/_common.py's
// share_buttons): the link is the address bar as it is at the click, which the pages keep up to date
// with the view's settings, so nothing has to be sent from the server. The lesson link is the same
// address with ?lesson=1 (pages hide their advanced controls). The link is copied to the clipboard
// where the browser allows it (navigator.clipboard needs https or localhost; the older execCommand
// works on a class's plain-http server too), and is always shown in a field, ready to copy by hand.

function linkOf(lesson) {
  const url = new URL(window.location.href);
  if (lesson) url.searchParams.set("lesson", "1");
  return url.href;
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e2) {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

export default function (component) {
  const {data, parentElement} = component;
  parentElement.querySelectorAll(".ae-share").forEach((n) => n.remove());
  const root = document.createElement("div");
  root.className = "ae-share";
  const row = document.createElement("div");
  row.className = "buttons";
  const field = document.createElement("input");
  field.type = "text";
  field.readOnly = true;
  field.className = "link";
  field.setAttribute("aria-label", data.field);
  field.hidden = true;
  const note = document.createElement("div");
  note.className = "note";
  note.setAttribute("role", "status");
  for (const [which, label] of data.buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.dataset.which = which;
    button.addEventListener("click", async () => {
      const link = linkOf(which === "lesson");
      field.value = link;
      field.hidden = false;
      field.dataset.which = which;
      const ok = await copyText(link);
      note.textContent = ok ? data.copied : data.failed;
      if (!ok) field.select();
    });
    row.appendChild(button);
  }
  root.append(row, field, note);
  parentElement.appendChild(root);
}
