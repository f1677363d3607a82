/** What the results were measured on: CPU, cores, OS, browser, runtime versions, commit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { PageInfo } from '../../src/bench/measure-web';
import type { Machine } from '../../src/core/bench/types';
import { REPO } from '../lib/cifar';
import { ORT_NODE_VERSION, ORT_WEB_VERSION } from '../lib/ort-node';

function osName(): string {
  try {
    const pretty = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1];
    if (pretty) return `${pretty} (${os.type()} ${os.release()})`;
  } catch {
    // not Linux, or no os-release: the kernel name is enough
  }
  return `${os.type()} ${os.release()}`;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

/** `ortWeb` starts as the installed package's version; the CLI replaces it with the version the page reports. */
export function describeMachine(page: PageInfo | null): Machine {
  return {
    host: os.hostname(), cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown', cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, os: osName(), arch: os.arch(), node: process.version,
    browser: page?.browser ?? null, userAgent: page?.userAgent ?? null, browserCores: page?.hardwareConcurrency ?? null,
    crossOriginIsolated: page?.crossOriginIsolated ?? null,
    ortWeb: ORT_WEB_VERSION, ortNode: ORT_NODE_VERSION, gitCommit: gitCommit(),
  };
}
