// tools/bench/webhook_receiver.mjs PORT — a webhook receiver for tools/bench/dispatch.sh: reads
// each POST and answers 204; counts what it got and prints the count on SIGTERM.
import http from 'node:http';

let got = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { got++; res.writeHead(204); res.end(); });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2]), '127.0.0.1');
process.on('SIGTERM', () => { console.log(got); process.exit(0); });
