import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes `text` as a new file in `dir`: `base + ext`, or `base-2 + ext`, … when the name is taken
 * (an existing file is never overwritten). Returns the path written.
 */
export function writeNewFile(dir: string, base: string, ext: string, text: string): string {
  for (let n = 1; ; n++) {
    const file = join(dir, n === 1 ? `${base}${ext}` : `${base}-${n}${ext}`);
    try {
      writeFileSync(file, text, { flag: "wx" });
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}
