import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Why the file at `path` cannot serve as the app's RSA private key (SO_APP_PRIVATE_KEY_FILE, used
 * to sign system-user tokens, superoffice-api.md §5.5), or undefined when it can. The message
 * names the problem, never the file's content.
 */
export function appPrivateKeyProblem(path: string): string | undefined {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return `cannot be read (${code}): expected the path of the app's RSA private key (PEM)`;
  }
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text.toString('latin1')))
    return 'is encrypted with a passphrase: the connector needs the RSA private key unencrypted (PEM, on a secret volume)';
  let type: string | undefined;
  try {
    type = createPrivateKey({ key: text, format: 'pem' }).asymmetricKeyType;
  } catch {
    // The parser's own message is not shown: it is about the content.
    return 'is not a PEM private key: expected the app\'s RSA private key ("BEGIN RSA PRIVATE KEY" or "BEGIN PRIVATE KEY")';
  }
  return type === 'rsa'
    ? undefined
    : `holds a key of type ${type ?? 'unknown'}: system-user sign-in needs the app's RSA private key`;
}
