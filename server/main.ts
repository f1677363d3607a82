/** `npm run server -- [--port 8000] [--token SECRET] ...`: the reference v2 inference server on the shipped catalog. */
import { startServer } from './app';
import { parseServerArgs, USAGE } from './options';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let options: ReturnType<typeof parseServerArgs>;
  try {
    options = parseServerArgs(argv, process.env);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (!options.token && options.host !== '127.0.0.1' && options.host !== 'localhost' && options.host !== '::1') {
    console.warn(`warning: listening on ${options.host} without --token: anyone who can reach this machine can run the models. Set --token (or PIT_SERVER_TOKEN) on a shared network.`);
  }
  const running = await startServer(options);
  const ids = running.registry.catalog.models.map((m) => m.id).join(', ');
  console.log(`v2 inference server on ${running.url} — models: ${ids}${options.token ? ' (bearer token required)' : ''}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: closing`);
      void running.close().then(() => process.exit(0));
    });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
