/**
 * Where the frames of well-known providers come from, so that a register
 * need not list them: consent.js neutralises an iframe already in a page
 * when its host is one of these, and a form's media may only load from its
 * provider's hosts (the page's Content-Security-Policy allows those alone).
 * A register's `embeds[].hosts` replaces these defaults.
 */
import type { Embed } from '../register/schema.ts';

const KNOWN_HOSTS: Readonly<Record<string, readonly string[]>> = {
  youtube: ['www.youtube-nocookie.com', 'www.youtube.com', 'youtube.com', 'youtu.be'],
  dailymotion: ['www.dailymotion.com', 'geo.dailymotion.com', 'dai.ly'],
  vimeo: ['player.vimeo.com', 'vimeo.com'],
  facebook: ['www.facebook.com', 'web.facebook.com'],
  instagram: ['www.instagram.com'],
  'x-twitter': ['platform.twitter.com', 'twitter.com', 'x.com'],
  twitter: ['platform.twitter.com', 'twitter.com', 'x.com'],
  addthis: ['s7.addthis.com'],
  openstreetmap: ['www.openstreetmap.org'],
};

/** The hosts an embed's content comes from: the register's, else the known provider's, else none. */
export function embedHosts(embed: Pick<Embed, 'id' | 'hosts'>): readonly string[] {
  return embed.hosts ?? KNOWN_HOSTS[embed.id] ?? [];
}
