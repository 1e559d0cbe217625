/**
 * @flux/client in real Chromium with fake camera and microphone, against the built server
 * (SQLite, demo channel): a direct call, a call whose signaling sockets are killed mid-call,
 * and a relay-only call through a coturn started here. Runs inside a loopback-only network
 * namespace (npm run test:e2e).
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { HANDOVER_MS } from '../../packages/client/src/StillGate.ts';
import { startServer, DEMO, type RunningServer } from '../harness/server.ts';
import { startCoturn, type RunningCoturn } from './coturn.ts';
import { startPostgres, startRedis, type Service } from './services.ts';
import {
  firstFrameAt,
  iceReport,
  onCall,
  openAgent,
  openVisitor,
  paintCamera,
  sentVideo,
  setMuted,
  showsPictureNow,
  startCall,
  stats,
  videoSenders,
  view,
  type EngineOptions,
} from './engine.ts';

async function contexts(browser: Browser) {
  return Promise.all([browser.newContext(), browser.newContext()]);
}

/** Both pages show decoded video and receive audio. */
async function expectMediaBothWays(
  pages: Parameters<typeof stats>[0][],
  candidate?: string,
): Promise<void> {
  for (const page of pages) {
    await expect
      .poll(async () => {
        const s = await stats(page);
        return s.framesDecoded > 0 && s.audioPackets > 0;
      })
      .toBe(true);
    if (candidate) {
      const s = await stats(page);
      expect(s.localType).toBe(candidate);
    }
  }
}

/** A visitor calls Mia: both pages ringing. */
async function ringing(
  server: RunningServer,
  browser: Browser,
  options: EngineOptions = {},
  /** Where the agent's console connects: another server process (same database and Redis). */
  agentServer: RunningServer = server,
  productIds: string[] = [],
  /** Gets the agent's and the visitor's pages as they open (for a failure's report). */
  pages: Page[] = [],
) {
  const [vc, ac] = await contexts(browser);
  const agent = await openAgent(ac, agentServer.url, DEMO.agents.mia, options);
  const visitor = await openVisitor(vc, server.url);
  pages.push(agent, visitor);
  await startCall(visitor, 'Mia Alvarez', productIds, options);
  await expect.poll(async () => (await view(visitor)).state).toBe('ringing');
  await expect.poll(async () => (await view(agent)).state).toBe('ringing');
  return { visitor, agent, close: () => Promise.all([vc.close(), ac.close()]) };
}

async function ringAndAccept(
  server: RunningServer,
  browser: Browser,
  options: EngineOptions = {},
  agentServer: RunningServer = server,
  pages: Page[] = [],
) {
  const { visitor, agent, close } = await ringing(
    server,
    browser,
    options,
    agentServer,
    ['ITM-BLUE-SHIRT', 'EXT-RED-PANTS', 'NOPE-404'],
    pages,
  );
  await onCall(agent, 'accept');
  await expect.poll(async () => (await view(visitor)).state).toBe('active');
  await expect.poll(async () => (await view(agent)).state).toBe('active');
  return { visitor, agent, close };
}

test.describe('call engine in the browser', () => {
  let server: RunningServer;

  test.beforeAll(async () => {
    server = await startServer();
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('a direct call: video and audio both ways, products on both sides, hang up', async ({
    browser,
  }) => {
    const { visitor, agent, close } = await ringAndAccept(server, browser);
    await expectMediaBothWays([visitor, agent]);
    const v = await view(visitor);
    const a = await view(agent);
    expect(v.products).toHaveLength(2);
    expect(a.products).toEqual(v.products);
    // accept → first frame with a picture on both sides (printed; the benchmark measures it);
    // the media checks above read the decoders' counters, not the pictures: wait for those
    const acceptAt = a.at['accept:start'] ?? 0;
    for (const page of [visitor, agent]) {
      await expect.poll(() => firstFrameAt(page)).not.toBeNull();
    }
    const frames = await Promise.all([firstFrameAt(visitor), firstFrameAt(agent)]);
    const decoded = (await Promise.all([view(visitor), view(agent)])).map(
      (x) => (x.at['picture:decoded'] ?? NaN) - acceptAt,
    );
    console.log(
      `accept → first picture decoded: visitor ${String(decoded[0])} ms, agent ${String(
        decoded[1],
      )} ms; shown (frame callbacks, which may skip it): visitor ${String(
        (frames[0] ?? 0) - acceptAt,
      )} ms, agent ${String((frames[1] ?? 0) - acceptAt)} ms`,
    );
    await onCall(visitor, 'hangup');
    await expect.poll(async () => (await view(agent)).state).toBe('ended');
    expect((await view(agent)).endReason).toBe('visitor_hangup');
    await close();
  });

  test('while it rings only black frames and silence flow; accepting brings both pictures', async ({
    browser,
  }) => {
    const { visitor, agent, close } = await ringing(server, browser);
    // the pipeline runs while it rings: frames are decoded and audio packets arrive both ways
    for (const page of [visitor, agent]) {
      await expect
        .poll(async () => {
          const s = await stats(page);
          const v = await view(page);
          return (
            s.framesDecoded > 3 && s.audioPackets > 0 && v.blackFrames > 3 && v.decodedBlack > 3
          );
        })
        .toBe(true);
    }
    // ... yet nobody is seen or heard before the agent accepts: no frame decoded so far, shown
    // or not, has a picture
    for (const page of [visitor, agent]) {
      expect((await view(page)).state).toBe('ringing');
      expect((await view(page)).decodedPictures).toBe(0);
      expect((await view(page)).pictureFrames).toBe(0);
      expect(await firstFrameAt(page)).toBeNull();
      expect((await stats(page)).sentAudioEnergy).toBe(0);
    }
    await onCall(agent, 'accept');
    for (const page of [visitor, agent]) {
      await expect.poll(async () => (await view(page)).decodedPictures).toBeGreaterThan(0);
      await expect.poll(async () => (await view(page)).pictureFrames).toBeGreaterThan(0);
      await expect.poll(async () => (await stats(page)).sentAudioEnergy).toBeGreaterThan(0);
    }
    // the gated video started small (about 320 px wide); then each sender asks for the camera's
    // full size, and the other side gets it, unless the browser's own adaptation holds it back
    // and says why (on a loaded machine its bandwidth estimate can fall for seconds; the size
    // then comes back with it)
    const remoteWidth = (page: typeof visitor) =>
      page.evaluate(() => document.querySelector('video')?.videoWidth ?? 0);
    for (const [page, other] of [
      [visitor, agent],
      [agent, visitor],
    ] as const) {
      await expect.poll(async () => (await sentVideo(page)).scale).toBe(1);
      await expect
        .poll(async () => {
          const s = await sentVideo(page);
          return (
            s.limitation !== 'none' || (s.frameWidth === 640 && (await remoteWidth(other)) === 640)
          );
        })
        .toBe(true);
    }
    await expect.poll(async () => (await view(visitor)).state).toBe('active');
    await onCall(visitor, 'hangup');
    await expect.poll(async () => (await view(agent)).state).toBe('ended');
    await close();
  });

  test('at the accept the camera picture of that moment goes out, without waiting for the next camera frame', async ({
    browser,
  }) => {
    // the agent's camera makes a frame only when told to
    const { visitor, agent, close } = await ringing(server, browser, { quietCamera: true });
    // while it rings both video senders carry a still: a black canvas
    for (const page of [visitor, agent]) {
      await expect.poll(() => videoSenders(page)).toEqual([{ carries: 'still', black: true }]);
    }
    // the agent's camera shows a picture while it rings, then makes no more frames
    await paintCamera(agent, 3);
    await expect.poll(async () => (await view(visitor)).decodedBlack).toBeGreaterThan(3);
    expect(await videoSenders(agent)).toEqual([{ carries: 'still', black: true }]);
    expect((await view(visitor)).decodedPictures).toBe(0);
    expect((await view(visitor)).pictureFrames).toBe(0);
    await onCall(agent, 'accept');
    // the visitor sees the agent although the camera made no frame since the accept: the video
    // itself is read, since that one frame's callback can be skipped and none follows it
    await expect.poll(() => showsPictureNow(visitor)).toBe(true);
    // the frame reader on the clone of the track is a second sink of the same frames, read on
    // its own turn of the page's event loop: it can count the picture after the video shows it
    await expect.poll(async () => (await view(visitor)).decodedPictures).toBeGreaterThan(0);
    // and the camera itself takes over the sender
    for (const page of [visitor, agent]) {
      await expect.poll(() => videoSenders(page)).toEqual([{ carries: 'camera', black: false }]);
    }
    await onCall(visitor, 'hangup');
    await expect.poll(async () => (await view(agent)).state).toBe('ended');
    await close();
  });

  test('a camera muted before the accept is not shown until it is unmuted', async ({ browser }) => {
    // the agent's camera makes a frame only when told to: a picture the visitor sees after the
    // accept came from the still or from a frame painted after it
    const { visitor, agent, close } = await ringing(server, browser, { quietCamera: true });
    await paintCamera(agent, 3);
    await setMuted(agent, 'video', true);
    await onCall(agent, 'accept');
    await expect.poll(() => videoSenders(agent)).toEqual([{ carries: 'camera', black: false }]);
    // a frame of the camera, sent after the hand-over, has arrived (black: muted); the still's
    // would have come before it
    const black = (await view(visitor)).decodedBlack;
    await expect
      .poll(async () => {
        await paintCamera(agent);
        return (await view(visitor)).decodedBlack;
      })
      .toBeGreaterThan(black);
    expect((await view(visitor)).decodedPictures).toBe(0);
    expect((await view(visitor)).pictureFrames).toBe(0);
    await setMuted(agent, 'video', false);
    await expect
      .poll(async () => {
        await paintCamera(agent);
        return (await view(visitor)).pictureFrames;
      })
      .toBeGreaterThan(0);
    await onCall(visitor, 'hangup');
    await expect.poll(async () => (await view(agent)).state).toBe('ended');
    await close();
  });

  test('a camera with no frame yet at the accept takes over the sender at once', async ({
    browser,
  }) => {
    // the agent's camera has made no frame when the call is accepted: the still has nothing to
    // draw, so waiting HANDOVER_MS for a drawn frame to leave would only delay the first picture
    const { visitor, agent, close } = await ringing(server, browser, { quietCamera: true });
    // accepted once the answer prepared while it rings is out (the visitor decodes the still's
    // black): accepting sooner waits for that preparation first, which is not the hand-over
    await expect.poll(async () => (await view(visitor)).decodedBlack).toBeGreaterThan(0);
    // when each video track is put on a sender from now on
    await agent.evaluate(() => {
      const w = window as unknown as { __replaced: number[] };
      w.__replaced = [];
      const proto = RTCRtpSender.prototype;
      const replace = Object.getOwnPropertyDescriptor(proto, 'replaceTrack')?.value as (
        this: RTCRtpSender,
        track: MediaStreamTrack | null,
      ) => Promise<void>;
      proto.replaceTrack = function (track) {
        if (track?.kind === 'video') w.__replaced.push(Date.now());
        return replace.call(this, track);
      };
    });
    await onCall(agent, 'accept');
    await expect.poll(() => videoSenders(agent)).toEqual([{ carries: 'camera', black: false }]);
    const acceptAt = (await view(agent)).at['accept:start'] ?? NaN;
    const replaced = await agent.evaluate(
      () => (window as unknown as { __replaced: number[] }).__replaced,
    );
    const handOver = replaced.find((t) => t >= acceptAt) ?? NaN;
    expect(handOver - acceptAt).toBeLessThan(HANDOVER_MS);
    // nothing was shown before the camera's first frame, which then reaches the visitor
    expect((await view(visitor)).decodedPictures).toBe(0);
    await expect
      .poll(async () => {
        await paintCamera(agent);
        return (await view(visitor)).decodedPictures;
      })
      .toBeGreaterThan(0);
    await onCall(visitor, 'hangup');
    await expect.poll(async () => (await view(agent)).state).toBe('ended');
    await close();
  });

  test('renegotiates in the call: an ICE restart and an added track (perfect negotiation)', async ({
    browser,
  }) => {
    const { visitor, agent, close } = await ringAndAccept(server, browser);
    await expectMediaBothWays([visitor, agent]);
    // the visitor restarts ICE: a new offer/answer goes through call.signal
    const ufragBefore = await agent.evaluate(() => {
      const pc = (window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } })
        .flux.call.peerConnection;
      return /a=ice-ufrag:(\S+)/.exec(pc.remoteDescription?.sdp ?? '')?.[1] ?? '';
    });
    await visitor.evaluate(() => {
      (
        window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } }
      ).flux.call.peerConnection.restartIce();
    });
    await expect
      .poll(() =>
        agent.evaluate(() => {
          const pc = (
            window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } }
          ).flux.call.peerConnection;
          return /a=ice-ufrag:(\S+)/.exec(pc.remoteDescription?.sdp ?? '')?.[1] ?? '';
        }),
      )
      .not.toBe(ufragBefore);
    // the agent (impolite side) adds a canvas track: the visitor receives it
    await agent.evaluate(() => {
      const canvas = document.createElement('canvas');
      canvas.width = 160;
      canvas.height = 120;
      const ctx = canvas.getContext('2d');
      setInterval(() => {
        ctx?.fillRect(Math.random() * 150, Math.random() * 110, 10, 10);
      }, 50);
      const track = canvas.captureStream(15).getVideoTracks()[0];
      const pc = (window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } })
        .flux.call.peerConnection;
      if (track) pc.addTrack(track, new MediaStream([track]));
    });
    await expect
      .poll(() =>
        visitor.evaluate(
          () =>
            (
              window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } }
            ).flux.call.peerConnection
              .getReceivers()
              .filter((r) => r.track.kind === 'video').length,
        ),
      )
      .toBe(2);
    for (const page of [visitor, agent]) {
      expect((await view(page)).state).toBe('active');
      await expect
        .poll(() =>
          page.evaluate(
            () =>
              (window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } }).flux
                .call.peerConnection.signalingState,
          ),
        )
        .toBe('stable');
    }
    const before = (await stats(agent)).framesDecoded;
    await expect.poll(async () => (await stats(agent)).framesDecoded).toBeGreaterThan(before + 10);
    await onCall(agent, 'hangup');
    await close();
  });

  test('the server restarts mid-call: both sides rejoin with new sessions and the call goes on', async ({
    browser,
  }) => {
    // a server of its own, restarted on its port and data (a deploy of the one process)
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-e2e-restart-'));
    let own = await startServer({ dataDir });
    try {
      const { visitor, agent, close } = await ringAndAccept(own, browser);
      await expectMediaBothWays([visitor, agent]);
      await own.stop();
      const during = (await stats(visitor)).framesDecoded;
      own = await startServer({ dataDir, port: own.port });
      // the sessions went with the process: each side starts a new one, which takes its
      // side of the call (a resumed session would read true)
      for (const page of [visitor, agent]) {
        await expect.poll(async () => (await view(page)).welcomes).toEqual([false, false]);
        expect((await view(page)).state).toBe('active');
      }
      // the media never went through the server
      expect((await stats(visitor)).framesDecoded).toBeGreaterThan(during);
      await agent.evaluate(async () => {
        const f = (
          window as unknown as { flux: { call: { sendChat(t: string): Promise<unknown> } } }
        ).flux;
        await f.call.sendChat('sorry, we were updating');
      });
      await expect
        .poll(async () => (await view(visitor)).chat)
        .toEqual(['agent:sorry, we were updating']);
      await onCall(agent, 'hangup');
      await expect.poll(async () => (await view(visitor)).endReason).toBe('agent_hangup');
      await close();
    } finally {
      await own.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the signaling sockets die mid-call: the call survives and both resume', async ({
    browser,
  }) => {
    const { visitor, agent, close } = await ringAndAccept(server, browser);
    await expectMediaBothWays([visitor, agent]);
    const before = (await stats(visitor)).framesDecoded;
    for (const page of [visitor, agent]) {
      await page.evaluate(() => {
        (
          window as unknown as { flux: { signaling: { dropConnection(): void } } }
        ).flux.signaling.dropConnection();
      });
    }
    for (const page of [visitor, agent]) {
      await expect.poll(async () => (await view(page)).welcomes).toEqual([false, true]);
      expect((await view(page)).state).toBe('active');
    }
    // media kept flowing and signaling works again
    await expect
      .poll(async () => (await stats(visitor)).framesDecoded)
      .toBeGreaterThan(before + 10);
    await agent.evaluate(async () => {
      const f = (window as unknown as { flux: { call: { sendChat(t: string): Promise<unknown> } } })
        .flux;
      await f.call.sendChat('still there?');
    });
    await expect.poll(async () => (await view(visitor)).chat).toEqual(['agent:still there?']);
    await onCall(agent, 'hangup');
    await expect.poll(async () => (await view(visitor)).endReason).toBe('agent_hangup');
    await close();
  });
});

test.describe('relay-only call through coturn', () => {
  let server: RunningServer;
  let turn: RunningCoturn;

  test.beforeAll(async () => {
    turn = await startCoturn();
    server = await startServer({
      env: { TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret, TURN_TTL_SECONDS: '600' },
    });
  });
  test.afterAll(async () => {
    await server.stop();
    await turn.stop();
  });

  test('media flows through the TURN relay with time-limited credentials', async ({ browser }) => {
    // each side's peer connection as the accept is waited for (a failure reports them)
    const pages: Page[] = [];
    const { visitor, agent, close } = await ringAndAccept(
      server,
      browser,
      // the console's camera opens well after the ring, when the visitor's candidates are in
      { iceTransportPolicy: 'relay', cameraOpensInMs: 1000 },
      server,
      pages,
    ).catch(async (e: unknown) => {
      // what the relay saw (allocations, permissions, errors) and what each page's ICE agent
      // holds say which side did not get through
      const log = turn.output().split('\n').slice(-60).join('\n');
      const sides = await Promise.all(
        pages.map(async (p, i) => {
          const v = await view(p).catch(() => null);
          const ice = await iceReport(p).catch((x: unknown) => String(x));
          return `${i === 0 ? 'agent' : 'visitor'}: state ${String(v?.state)}, welcomes ${JSON.stringify(v?.welcomes)}; ${ice}`;
        }),
      );
      throw new Error(
        `${String(e)}\n--- the pages:\n${sides.join('\n')}\n--- turnserver, last lines:\n${log}`,
      );
    });
    await expectMediaBothWays([visitor, agent], 'relay');
    // each side's ICE agent holds every candidate the other gathered: the ones the visitor
    // trickled while the agent's camera opened were lost once, and the agent had only the
    // offer's first (a relay-only call could then not connect at all)
    const relayCandidates = async (p: Page): Promise<{ local: number; remote: number }> => {
      const { candidates } = JSON.parse(await iceReport(p)) as {
        candidates: Record<string, number>;
      };
      return {
        local: candidates['local-candidate relay'] ?? 0,
        remote: candidates['remote-candidate relay'] ?? 0,
      };
    };
    // (how many each held of how many the other gathered, until it holds them all)
    const held = async (from: Page, to: Page) => {
      const [{ local: gathered }, { remote: got }] = await Promise.all([
        relayCandidates(from),
        relayCandidates(to),
      ]);
      return got === gathered && gathered > 0 ? 'all' : `${String(got)} of ${String(gathered)}`;
    };
    await expect
      .poll(() => held(visitor, agent), { message: "the visitor's at the agent" })
      .toBe('all');
    await expect
      .poll(() => held(agent, visitor), { message: "the agent's at the visitor" })
      .toBe('all');
    await onCall(visitor, 'hangup');
    await close();
  });
});

test.describe('a TURN server whose UDP the network drops', () => {
  let server: RunningServer;
  let turn: RunningCoturn;
  // a UDP socket that reads and never answers, as a network that drops UDP silently: the
  // browsers keep asking it for an allocation, so their gathering does not end for seconds
  const hole = createSocket('udp4');

  test.beforeAll(async () => {
    turn = await startCoturn();
    await new Promise<void>((resolve) => hole.bind(0, '127.0.0.1', resolve));
    const tcp = turn.urls.find((u) => u.endsWith('transport=tcp'));
    server = await startServer({
      env: {
        TURN_URLS: `turn:127.0.0.1:${String(hole.address().port)}?transport=udp,${String(tcp)}`,
        TURN_SECRET: turn.secret,
        TURN_TTL_SECONDS: '600',
      },
    });
  });
  test.afterAll(async () => {
    await server.stop();
    await turn.stop();
    hole.close();
  });

  test('does not hold the call back: the offer and answer go with the TCP relay candidate, and the call connects over it', async ({
    browser,
  }) => {
    // a cap far beyond the polls' 5 s: the call rings only if the offer went before it
    const options = { iceTransportPolicy: 'relay', iceGatheringTimeoutMs: 60_000 } as const;
    const { visitor, agent, close } = await ringAndAccept(server, browser, options);
    await expectMediaBothWays([visitor, agent], 'relay');
    // through the relay's TCP allocation, the one that answered
    for (const page of [visitor, agent]) {
      const protocol = await page.evaluate(async () => {
        const pc = (window as unknown as { flux: { call: { peerConnection: RTCPeerConnection } } })
          .flux.call.peerConnection;
        const report = await pc.getStats();
        let pairId = '';
        report.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
          if (s.type === 'transport') pairId = s.selectedCandidatePairId ?? '';
        });
        const pair = report.get(pairId) as { localCandidateId: string } | undefined;
        const local = report.get(pair?.localCandidateId ?? '') as { relayProtocol?: string };
        return local.relayProtocol;
      });
      expect(protocol).toBe('tcp');
    }
    await onCall(visitor, 'hangup');
    await close();
  });
});

test.describe('two server processes sharing PostgreSQL and Redis', () => {
  let pg: Service;
  let redis: Service;
  let a: RunningServer;
  let b: RunningServer;

  test.beforeAll(async () => {
    [pg, redis] = await Promise.all([startPostgres(), startRedis()]);
    const env = { DATABASE_URL: pg.url, REDIS_URL: redis.url };
    a = await startServer({ env });
    b = await startServer({ env }); // the demo seed is idempotent: b finds a's channel
  });
  test.afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all([pg.stop(), redis.stop()]);
  });

  test('visitor on one process, agent on the other: a call with real media', async ({
    browser,
  }) => {
    const { visitor, agent, close } = await ringAndAccept(a, browser, {}, b);
    await expectMediaBothWays([visitor, agent]);
    expect((await view(agent)).products).toEqual((await view(visitor)).products);
    await onCall(agent, 'hangup');
    await expect.poll(async () => (await view(visitor)).endReason).toBe('agent_hangup');
    await close();
  });
});
