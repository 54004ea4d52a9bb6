export declare const BUILD_DIR: string;
export declare const STAMP_FILE: string;
export declare function listSources(root: string): string[];
export declare function sourcesStamp(root: string, files?: string[]): string;
export declare function buildIsCurrent(root: string): boolean;
