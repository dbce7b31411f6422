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
  let type: string | undefined;
  try {
    type = createPrivateKey({ key: text, format: 'pem' }).asymmetricKeyType;
  } catch {
    // The parser's own message is not shown: it is about the content.
    return 'is not a PEM private key: expected the app\'s RSA private key ("BEGIN RSA PRIVATE KEY" or "BEGIN PRIVATE KEY")';
  }
  return type === 'rsa'
    ? undefined
    : `holds a ${type ?? 'non-RSA'} key: system-user sign-in needs the app's RSA private key`;
}
