import { describe, expect, it } from "vitest";
import { describeListening } from "./listening.js";

const dev = { appUrl: "http://localhost:8000", isDevelopment: true };

describe("describeListening: the start log names one URL, the one whose forms work", () => {
  it("prints APP_URL as the URL and the socket only as host:port", () => {
    expect(describeListening(dev, "http://127.0.0.1:8000")).toEqual({
      url: "http://localhost:8000",
      bind: "127.0.0.1:8000",
    });
  });

  it.each([["http://[::1]:8000"], ["http://0.0.0.0:8000"], ["http://[::]:8000"]])(
    "is quiet when APP_URL reaches a socket on %s",
    (serverUrl) => {
      expect(describeListening(dev, serverUrl).warning).toBeUndefined();
    },
  );

  it("warns in development when APP_URL names another port than the socket", () => {
    const report = describeListening(dev, "http://127.0.0.1:3000");
    expect(report.url).toBe("http://localhost:8000");
    expect(report.warning).toBe(
      "APP_URL is http://localhost:8000 but this server listens on 127.0.0.1:3000: a browser opening APP_URL will not reach it, and forms opened at 127.0.0.1:3000 are refused as another origin. Set APP_URL=http://localhost:3000, or PORT=8000.",
    );
  });

  it("warns when the socket is bound to a LAN address only", () => {
    expect(describeListening(dev, "http://192.168.1.20:8000").warning).toMatch(/^APP_URL is/);
  });

  it("trusts a non-loopback APP_URL (a proxy or tunnel it cannot see) and never warns in production", () => {
    const tunnel = { appUrl: "https://dev.example.com", isDevelopment: true };
    expect(describeListening(tunnel, "http://127.0.0.1:8000").warning).toBeUndefined();
    const production = { appUrl: "http://localhost:8000", isDevelopment: false };
    expect(describeListening(production, "http://0.0.0.0:9000")).toEqual({
      url: "http://localhost:8000",
      bind: "0.0.0.0:9000",
    });
  });
});
