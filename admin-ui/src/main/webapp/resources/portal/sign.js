/*
 * Signs a consent decision in the browser. The patient's key file (format phr-patient-key v1, see the identity
 * layer's PatientKeyFile) is read from disk and decrypted here with WebCrypto: PBKDF2-HMAC-SHA256 (RFC 8018 section
 * 5.2) derives the AES-256-GCM key (NIST SP 800-38D; the pseudonym is the additional data), the PKCS#8 ECDSA P-256
 * key signs the exact document the server gave (SHA-256, IEEE P1363 r||s signature, as the consent API expects).
 * Neither the passphrase nor the private key leaves the browser: only the signature is posted.
 */
(function () {
  'use strict';
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const utf8 = (s) => new TextEncoder().encode(s);

  async function openKeyFile(text, passphrase) {
    let file;
    try {
      file = JSON.parse(text);
    } catch (e) {
      throw new Error('This file is not a PHR Cloud key file.');
    }
    if (file.format !== 'phr-patient-key' || file.version !== 1) {
      throw new Error('This file is not a PHR Cloud key file (format phr-patient-key, version 1).');
    }
    const base = await crypto.subtle.importKey('raw', utf8(passphrase), 'PBKDF2', false, ['deriveKey']);
    const aes = await crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt: bytes(file.kdf.salt), iterations: file.kdf.iterations },
      base, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
    let pkcs8;
    try {
      pkcs8 = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes(file.cipher.iv), additionalData: utf8(file.pseudonym),
        tagLength: 128 }, aes, bytes(file.ciphertext));
    } catch (e) {
      throw new Error('The passphrase does not open this key file.');
    }
    const key = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    return { pseudonym: file.pseudonym, key };
  }

  async function sign(key, text) {
    const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, utf8(text));
    return btoa(String.fromCharCode(...new Uint8Array(signature)));
  }

  async function decide(button) {
    const status = document.getElementById('sign-status');
    const fileInput = document.getElementById('key-file');
    const passphrase = document.getElementById('key-passphrase');
    const say = (text) => { status.textContent = text; };
    if (!window.crypto || !crypto.subtle) {
      say('This browser cannot sign here (WebCrypto needs HTTPS).');
      return;
    }
    if (!fileInput.files.length || !passphrase.value) {
      say('Choose your key file and type its passphrase first.');
      fileInput.focus();
      return;
    }
    document.querySelectorAll('button[data-decision]').forEach((b) => { b.disabled = true; });
    try {
      say('Opening your key...');
      const opened = await openKeyFile(await fileInput.files[0].text(), passphrase.value);
      if (opened.pseudonym !== document.getElementById('me').dataset.pseudonym) {
        throw new Error('This key file belongs to another person.');
      }
      say('Signing...');
      const form = document.getElementById('decide');
      form.querySelector('[id$="consentId"]').value = button.dataset.consent;
      form.querySelector('[id$="decision"]').value = button.dataset.decision;
      form.querySelector('[id$="signature"]').value = await sign(opened.key, button.dataset.document);
      passphrase.value = '';
      say('Sending your signed decision...');
      form.querySelector('[id$="send"]').click();
    } catch (e) {
      say(e.message);
      document.querySelectorAll('button[data-decision]').forEach((b) => { b.disabled = false; });
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-decision]');
    if (button) {
      event.preventDefault();
      decide(button);
    }
  });
})();
