// Usage: node services/bench/published/levers/ioredis-decoder.cjs (from the repository root)
// ioredis 6's RESP decoder on one published chat message (a 160-byte payload), warm, in a loop:
// what decoding a push costs when its code and data are in the caches.
const { Decoder } = require(`${process.cwd()}/node_modules/ioredis/built/resp/decoder.js`);
const payload = Buffer.alloc(160, 97);
const message = Buffer.concat([
  Buffer.from(`*3\r\n$7\r\nmessage\r\n$12\r\nchat:{lobby}\r\n$${payload.length}\r\n`),
  payload,
  Buffer.from('\r\n'),
]);
let decoded = 0;
const typeMapping = {};
const decoder = new Decoder({
  getTypeMapping: () => typeMapping,
  onReply: () => decoded++,
  onErrorReply: () => {},
  onPush: () => decoded++,
});
for (let round = 0; round < 5; round++) {
  const count = 200_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) decoder.write(Buffer.from(message)); // a fresh chunk, as a socket read gives
  const ns = Number(process.hrtime.bigint() - start) / count;
  console.log(`round ${round + 1}: ${ns.toFixed(0)} ns per message (copy of the chunk included), ${decoded} decoded`);
}
