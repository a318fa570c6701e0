// node selenium-service-start.js chrome|firefox DRIVER
// Starts DRIVER with selenium-webdriver's own ServiceBuilder and prints "ms N": start() to the
// URL it resolves to (it polls GET /status every 50 ms), in this already running node. Then
// stops it. scripts/bench installs selenium-webdriver and sets NODE_PATH.
const [browser, driver] = process.argv.slice(2);
const { ServiceBuilder } = require(`selenium-webdriver/${browser}`);

(async () => {
  const service = new ServiceBuilder(driver).build();
  const begin = process.hrtime.bigint();
  await service.start();
  const elapsed = Number(process.hrtime.bigint() - begin) / 1e6;
  console.log(`ms ${elapsed.toFixed(3)}`);
  await service.kill();
})().catch((error) => {
  console.error(`selenium-service-start: ${error.message}`);
  process.exit(1);
});
