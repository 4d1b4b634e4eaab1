// The baseline of bench/scan.mjs: the `onvif` package used the way its README shows it, as a process of its own.
// One `new Cam({hostname, username, password, port}, function (err) { this.getDeviceInformation(...) })` per known
// address, all in parallel. Prints {"devices": <answered GetDeviceInformation>} as its last stdout line.
// Usage: node bench/onvif-readme-client.cjs PORT USERNAME PASSWORD ADDRESS...
const { Cam } = require('onvif');

const [port, username, password, ...addresses] = process.argv.slice(2);
let devices = 0;
void Promise.all(
  addresses.map(
    (hostname) =>
      new Promise((resolve) => {
        // connect() can hang on some devices (it never calls back): do not wait for ever.
        setTimeout(resolve, 15_000).unref();
        new Cam({ hostname, username, password, port: Number(port), timeout: 10_000 }, function (err) {
          if (err) return resolve();
          this.getDeviceInformation((e) => {
            if (!e) devices++;
            resolve();
          });
        });
      }),
  ),
).then(() => process.stdout.write(`${JSON.stringify({ devices })}\n`));
