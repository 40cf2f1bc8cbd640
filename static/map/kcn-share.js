// KCN Atlas share box: the link of the view the user sees, ready to copy, and its QR code.
//
// The link is the page's own address (the map keeps its camera in it), with the
// configured public address in front when there is one. It is drawn in the browser,
// so it follows every pan and zoom without asking the server. A link too long for a
// QR code gets a short note instead of the code.

const QR_MODULE = "/app/static/vendor/qrcode-generator.mjs";
let qrModule = null;

function shareLink(data) {
  const here = new URL(window.location.href);
  if (!data.public_base) return here.toString();
  const base = new URL(data.public_base);
  base.search = here.search;
  return base.toString();
}

async function qrImage(link, size) {
  if (!qrModule) qrModule = import(new URL(QR_MODULE, window.location.href).href);
  const {qrcode} = await qrModule;
  let code;
  try {
    code = qrcode(0, "M");  // type 0: the smallest version the text fits
    code.addData(link);
    code.make();
  } catch (err) {
    return null;  // longer than the largest QR code holds
  }
  const cells = code.getModuleCount();
  const cell = Math.max(2, Math.floor(size / (cells + 4)));
  const img = document.createElement("img");
  img.src = code.createDataURL(cell, cell * 2);
  img.width = (cells + 4) * cell;
  img.height = (cells + 4) * cell;
  return img;
}

async function render(box, data) {
  const link = shareLink(data);
  if (box.dataset.link === link && box.dataset.size === String(data.size)) return;
  box.dataset.link = link;
  box.dataset.size = String(data.size);
  const field = box.querySelector("input");
  field.value = link;
  const img = await qrImage(link, data.size || 200);
  const slot = box.querySelector(".kcn-share-qr");
  slot.replaceChildren();
  if (img) {
    img.alt = data.text.qr;
    slot.append(img);
  } else {
    const note = document.createElement("p");
    note.textContent = data.text.too_long;
    slot.append(note);
  }
  const caption = box.querySelector(".kcn-share-caption");
  caption.textContent = img ? data.text.caption : "";
}

export default function (component) {
  const {data, parentElement} = component;
  let box = parentElement.querySelector(".kcn-share");
  if (!box) {
    box = document.createElement("div");
    box.className = "kcn-share";
    const row = document.createElement("div");
    row.className = "kcn-share-row";
    const field = document.createElement("input");
    field.type = "text";
    field.readOnly = true;
    field.className = "kcn-share-link";
    const copy = document.createElement("button");
    copy.type = "button";
    copy.className = "kcn-share-copy";
    copy.addEventListener("click", async () => {
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch (err) {
        document.execCommand("copy");  // older browsers, or no clipboard permission
      }
      copy.textContent = box.__data.text.copied;
    });
    row.append(field, copy);
    const qr = document.createElement("div");
    qr.className = "kcn-share-qr";
    const caption = document.createElement("div");
    caption.className = "kcn-share-caption";
    box.append(row, qr, caption);
    parentElement.append(box);
    window.addEventListener("kcn:url", () => render(box, box.__data));
    window.addEventListener("popstate", () => render(box, box.__data));
  }
  box.__data = data;
  box.querySelector("input").setAttribute("aria-label", data.text.link);
  box.querySelector(".kcn-share-copy").textContent = data.text.copy;
  box.dataset.link = "";
  render(box, data);
}
