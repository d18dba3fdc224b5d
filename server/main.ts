/**
 * `npm start`: the Rebound web process in production. Built with the app into
 * build/server/main.js (vite.config.ts), so the server, the routes and the background work share
 * one copy of every module; `node build/server/main.js` runs it.
 */
import * as build from "virtual:remix/server-build";
import { runWebProcess } from "./web-process";

void runWebProcess({ build });
