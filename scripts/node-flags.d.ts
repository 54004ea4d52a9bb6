export declare function bastideNodeFlags(): string[];
