// Runs inside a lab namespace, where Firefox's WebDriver BiDi socket listens on that namespace's
// loopback (out of the harness's reach): carries each message between the socket and this
// process's stdin/stdout, one JSON-encoded message per line.
import { createInterface } from 'node:readline';

const socket = new WebSocket(process.argv[2]);
const queued = [];
socket.addEventListener('open', () => queued.splice(0).forEach((m) => socket.send(m)));
socket.addEventListener('message', (event) => process.stdout.write(`${JSON.stringify(String(event.data))}\n`));
socket.addEventListener('close', () => process.exit(0));
socket.addEventListener('error', () => process.exit(1));
createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (socket.readyState === WebSocket.OPEN) socket.send(message);
  else queued.push(message);
});
process.stdin.on('end', () => socket.close());
